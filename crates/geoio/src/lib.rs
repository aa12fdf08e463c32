//! landplan-geoio (work in progress).
