//! landplan-store (work in progress).
