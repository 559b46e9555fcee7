//! The containment planner's input and output (`cloudcase-contain` builds the one from the
//! other): the findings of an investigation, and the plan of AWS CLI steps with their rollbacks.
//! Both are part of the scope document's `containment` section.

mod findings;
mod plan;

pub use findings::{
    AccessKey, Findings, ImageKind, IngressRule, Instance, InstanceOrigin, KeyPair, KeyStatus,
    LambdaFunction, Role, RoleOrigin, RoleSession, SecurityGroup, SharedImage, User, UserOrigin,
};
pub use plan::{Phase, Plan, Step};
