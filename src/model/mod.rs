//! The records Landscape's activity APIs exchange, serde-exact to their JSON:
//! what was absent stays absent, what was `null` stays `null`, and fields this
//! build does not know survive a round trip.

mod action;
mod activity;
mod computer;
pub mod duration;
pub mod event;
mod extra;
pub mod failure;
mod field;
pub mod guard;
pub mod operation;
pub mod origin;
mod page;
pub mod rollout;
pub mod scope;
mod sort;
mod status;
pub mod waiting;

pub use action::{ActionKind, REVERTIBLE_TYPE, Refusal, Selection, cancelable};
pub use activity::{
    ACTIVITY_GROUP, Activity, ActivityActions, ChildrenStatuses, Creator, LONG_RUNNING_TYPES,
    PackageChange,
};
pub use computer::{Computer, SavedSearch};
pub use extra::Extra;
pub use field::Field;
pub use page::{Page, RowPage};
pub use sort::{ListSort, SortColumn, caseless};
pub use status::{ActivityStatus, Health};
