//! (in progress: see issue 4)
