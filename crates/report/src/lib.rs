//! landplan-report (work in progress).
