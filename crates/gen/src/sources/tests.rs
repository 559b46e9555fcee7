//! Tests of the sources beside CloudTrail: formats as documented, truth
//! consistent with the logs and with CloudTrail.
