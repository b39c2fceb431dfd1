//! Calibration (issue 7).
