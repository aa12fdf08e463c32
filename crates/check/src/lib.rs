//! landplan-check (work in progress).
