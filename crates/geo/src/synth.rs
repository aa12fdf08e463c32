//! Synthetic layers (being written).
