//! Dashboard analytics (issue 6).
