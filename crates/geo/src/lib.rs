//! landplan-geo (work in progress).
