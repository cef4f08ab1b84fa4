//! Landscape 26.04's long-running operations (the debarchive service's
//! mirror syncs, repository imports, publications), as
//! `GET /debarchive/v1beta1/operations/{id}` and `operations:batchGet`
//! answer them. Serde-exact: fields this build does not know survive.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One operation: `operations/{id}`, done or not, how far, how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// `operations/{operationId}`.
    pub name: String,
    #[serde(default)]
    pub done: bool,
    pub metadata: OperationMetadata,
    /// A finished one's answer (`{"@type", "output"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<OperationError>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationMetadata {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub operation_id: String,
    /// `idle`, `in progress`, `succeeded` or `failed`.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_percent: Option<i64>,
    /// What it works on: `mirrors/{id}`, `locals/{id}`, `publications/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How a failed operation ended (a `google.rpc.Status`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationError {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    /// Among them a `DebugInfo` whose `stackEntries` are the task's log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Where an operation is, as the dashboard and `wait` read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationState {
    Running,
    Succeeded,
    Failed,
}

impl Operation {
    /// The id after `operations/`.
    pub fn id(&self) -> &str {
        self.name.strip_prefix("operations/").unwrap_or(&self.name)
    }

    pub fn state(&self) -> OperationState {
        if !self.done {
            OperationState::Running
        } else if self.error.is_some() || self.metadata.status == "failed" {
            OperationState::Failed
        } else {
            OperationState::Succeeded
        }
    }

    /// How far, 0 to 100.
    pub fn percent(&self) -> u8 {
        match (self.state(), self.metadata.progress_percent) {
            (OperationState::Succeeded, _) => 100,
            (_, Some(p)) => p.clamp(0, 100) as u8,
            (_, None) => 0,
        }
    }

    /// The failure's log lines (`details[].stackEntries`), in order.
    pub fn log(&self) -> Vec<String> {
        let Some(e) = &self.error else {
            return Vec::new();
        };
        e.details
            .iter()
            .filter_map(|d| d.get("stackEntries").and_then(Value::as_array))
            .flatten()
            .filter_map(|l| l.as_str().map(str::to_owned))
            .collect()
    }

    /// What the dashboard says of it: its description, else its resource.
    pub fn title(&self) -> &str {
        match (&self.metadata.description, &self.metadata.resource) {
            (d, _) if !d.is_empty() => d,
            (_, Some(r)) => r,
            _ => &self.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_operation_round_trips_and_reads_its_log() {
        let text = r#"{"name":"operations/ffff-llll-dddd","metadata":{"@type":"type.googleapis.com/canonical.landscape.debarchive.v1beta1.TaskMetadata","description":"Sync mirror","operationId":"ffff-llll-dddd","status":"failed","progressPercent":62,"resource":"mirrors/noble"},"done":true,"error":{"code":13,"message":"The operation failed unexpectedly.","details":[{"@type":"type.googleapis.com/google.rpc.DebugInfo","detail":"Task operation error logs","stackEntries":["0% [Working]","E: 404 Not Found"]}]}}"#;
        let op: Operation = serde_json::from_str(text).unwrap();
        assert_eq!(op.id(), "ffff-llll-dddd");
        assert_eq!(op.state(), OperationState::Failed);
        assert_eq!(op.percent(), 62);
        assert_eq!(op.log(), ["0% [Working]", "E: 404 Not Found"]);
        let back: Value = serde_json::to_value(&op).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
    }
}
