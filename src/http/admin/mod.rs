//! `/admin` route families, one file each. Every route here is `Access::Admin`.

pub mod workflows;
