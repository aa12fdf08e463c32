//! landplan-io (work in progress).
