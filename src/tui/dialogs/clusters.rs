//! `:clusters`: the failures grouped, largest first; under the selected
//! cluster, the computers it hit and one failure whole.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Outcome;
use crate::backend::clusters::ClusterReport;
use crate::model::failure::FailureCluster;
use crate::printable::{printable, printable_lines, thousands};
use crate::tui::app::App;
use crate::tui::keys::{Context, KeyAction, moved};

/// `:clusters`: a query's failures, grouped by what went wrong.
#[derive(Debug, Clone, Default)]
pub struct ClustersState {
    /// What was clustered, said for the operator ("the query's failures").
    pub of: String,
    /// The query whose failures these are: narrowing starts from it.
    pub base: String,
    pub report: Option<crate::backend::clusters::ClusterReport>,
    pub error: Option<String>,
    pub loading: bool,
    pub selected: usize,
    /// The selected cluster's computer list has focus, at this index.
    pub computer: Option<usize>,
    /// A request generation: answers to older ones are dropped.
    pub generation: u64,
}

impl ClustersState {
    pub fn selected_cluster(&self) -> Option<&crate::model::failure::FailureCluster> {
        self.report.as_ref()?.clusters.get(self.selected)
    }
}

impl ClustersState {
    /// Moves within the clusters or the selected one's computers (Tab
    /// goes between them); the rest is for `update`: Enter narrows the
    /// list to the cluster (`Go`) or opens the computer in focus.
    pub fn on_key(&mut self, action: Option<KeyAction>) -> Outcome {
        let clusters = self.report.as_ref().map_or(0, |r| r.clusters.len());
        let computers = self.selected_cluster().map_or(0, |k| k.computers.len());
        match action {
            Some(
                KeyAction::ScrollDown
                | KeyAction::ScrollUp
                | KeyAction::PageDown
                | KeyAction::PageUp,
            ) => {
                match self.computer {
                    Some(at) => self.computer = moved(action, at, computers),
                    None => {
                        self.selected =
                            moved(action, self.selected, clusters).unwrap_or(self.selected);
                    }
                }
                Outcome::Stay
            }
            Some(KeyAction::NextPane) if computers > 0 => {
                self.computer = match self.computer {
                    Some(_) => None,
                    None => Some(0),
                };
                Outcome::Stay
            }
            Some(KeyAction::Open) => match self.computer {
                Some(at) => Outcome::OpenComputer(at),
                None => Outcome::Go,
            },
            Some(KeyAction::JumpToComputer) => Outcome::OpenComputer(self.computer.unwrap_or(0)),
            Some(KeyAction::Mark) => Outcome::Mark,
            Some(KeyAction::Refresh) => Outcome::Reread,
            Some(KeyAction::Close) => Outcome::Closed,
            _ => Outcome::Stay,
        }
    }
}

/// Fewest cluster rows shown when there are that many: the rest of the
/// popup's height is shared between the rows and the selected cluster.
const MIN_ROWS: usize = 3;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let rect = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2).min(140),
        height: area.height.saturating_sub(2),
    };
    let c = &app.clusters;
    let block = Block::bordered()
        .title(format!(" Failure clusters: {} ", printable(&c.of)))
        .border_style(app.prefs.theme.focused_border);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let footer = footer(app);
    let footer_rows = (footer.width() as u16).div_ceil(inner.width.max(1)).max(1);
    let [body, foot] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(footer_rows)]).areas(inner);
    frame.render_widget(Paragraph::new(footer).wrap(Wrap { trim: false }), foot);
    let Some(report) = &c.report else {
        let text = match (&c.error, c.loading) {
            (Some(e), _) => Line::from(Span::styled(
                format!("could not read the failures: {}", printable(e)),
                app.prefs.theme.error,
            )),
            _ => Line::from(Span::styled("reading the failures …", app.prefs.theme.dim)),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        return;
    };
    let head = heading(report, c.loading);
    if report.clusters.is_empty() {
        let lines = vec![
            Line::from(head),
            Line::from(Span::styled(
                "nothing failed: no clusters",
                app.prefs.theme.success,
            )),
        ];
        frame.render_widget(Paragraph::new(lines), body);
        return;
    }
    // Half of what is left after the heading lines and a gap goes to the
    // rows, half to the selected cluster's computers and example.
    let room = (usize::from(body.height.saturating_sub(3)) / 2).max(MIN_ROWS);
    let shown = report.clusters.len().min(room);
    let [head_area, columns, table, _, below] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(shown as u16),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(body);
    frame.render_widget(Paragraph::new(head), head_area);
    draw_rows(frame, app, report, shown, columns, table);
    if let Some(k) = c.selected_cluster() {
        let lines = selected_lines(app, k, below.height);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), below);
    }
}

/// The popup's keys, as the operator's keymap has them.
fn footer(app: &App) -> Line<'static> {
    let key = |action| app.prefs.keymap.first(Context::Popup, action);
    Line::from(Span::styled(
        format!(
            "{}/{} move · {} shows the cluster · {} marks it · {} computers · {} opens one · {} reads again · {} closes",
            key(KeyAction::ScrollDown),
            key(KeyAction::ScrollUp),
            key(KeyAction::Open),
            key(KeyAction::Mark),
            key(KeyAction::NextPane),
            key(KeyAction::JumpToComputer),
            key(KeyAction::Refresh),
            key(KeyAction::Close),
        ),
        app.prefs.theme.dim,
    ))
}

/// "N failed in K clusters", or what part of them was clustered.
fn heading(report: &ClusterReport, loading: bool) -> String {
    let mut head = if report.complete() {
        format!(
            "{} failed in {} cluster{}",
            thousands(report.failed),
            report.clusters.len(),
            if report.clusters.len() == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{} failed; the newest {} in {} clusters",
            thousands(report.failed),
            thousands(report.clustered),
            report.clusters.len()
        )
    };
    if loading {
        head.push_str(" (reading again …)");
    }
    head
}

/// The column headings and the `shown` cluster rows around the selected.
fn draw_rows(
    frame: &mut Frame,
    app: &App,
    report: &ClusterReport,
    shown: usize,
    columns: Rect,
    table: Rect,
) {
    let c = &app.clusters;
    let first = c.selected.saturating_sub(shown.saturating_sub(1));
    let width = usize::from(table.width);
    // The types padded to the longest shown, so the first lines line up.
    let type_width = report
        .clusters
        .iter()
        .skip(first)
        .take(shown)
        .map(|k| printable(&k.key.activity_type).chars().count())
        .max()
        .unwrap_or(0)
        .min(26);
    let heading = format!(
        "{:>7} {:>4}  {:<type_width$}  first line, with numbers, paths and hosts set aside",
        "count", "code", "type"
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            crate::printable::fit(&heading, width).into_owned(),
            app.prefs.theme.dim,
        ))),
        columns,
    );
    let rows: Vec<Line> = report
        .clusters
        .iter()
        .enumerate()
        .skip(first)
        .take(shown)
        .map(|(i, k)| {
            let code = k
                .key
                .result_code
                .map_or_else(|| "—".to_owned(), |c| c.to_string());
            let text = format!(
                "{:>7} {:>4}  {:<type_width$}  {}",
                thousands(k.count() as u64),
                code,
                printable(&k.key.activity_type),
                printable(&k.key.pattern)
            );
            let text = crate::printable::fit(&text, width).into_owned();
            let style = if i == c.selected {
                let s = app.prefs.theme.selected;
                if c.computer.is_some() {
                    s.remove_modifier(Modifier::REVERSED)
                        .add_modifier(Modifier::UNDERLINED)
                } else {
                    s
                }
            } else {
                app.prefs.theme.failed
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), table);
}

/// The selected cluster: what it is, then its computers (one selected,
/// within `height` lines) or a few of them and one failure whole.
fn selected_lines(app: &App, k: &FailureCluster, height: u16) -> Vec<Line<'static>> {
    let name = |id: u64| {
        app.fleet.computer_titles.get(&id).map_or_else(
            || format!("computer {}", crate::model::origin::local(id)),
            |t| printable(t).into_owned(),
        )
    };
    let mut lines = vec![Line::from(vec![Span::styled(
        format!(
            "{} · result code {} · {} on {} ",
            printable(&k.key.activity_type),
            k.key
                .result_code
                .map_or_else(|| "none".to_owned(), |c| c.to_string()),
            crate::printable::activities(k.count() as u64),
            match k.computers.len() {
                1 => "1 computer".to_owned(),
                n => format!("{} computers", thousands(n as u64)),
            }
        ),
        app.prefs.theme.header,
    )])];
    lines.push(Line::from(Span::styled(
        format!("  {}", printable(&k.key.pattern)),
        app.prefs.theme.failed,
    )));
    match app.clusters.computer {
        Some(at) => {
            lines.push(Line::from(Span::styled(
                format!("Computers hit ({}):", thousands(k.computers.len() as u64)),
                app.prefs.theme.header,
            )));
            let room = usize::from(height).saturating_sub(1).max(1);
            let from = at.saturating_sub(room - 1);
            for (i, id) in k.computers.iter().enumerate().skip(from).take(room) {
                let style = if i == at {
                    app.prefs.theme.selected
                } else {
                    Default::default()
                };
                lines.push(Line::from(Span::styled(
                    format!("  {}  (id {})", name(*id), crate::model::origin::local(*id)),
                    style,
                )));
            }
        }
        None => {
            let listed: Vec<String> = k.computers.iter().take(12).map(|id| name(*id)).collect();
            let more = k.computers.len().saturating_sub(listed.len());
            let mut on = format!("Computers: {}", listed.join(", "));
            if more > 0 {
                on.push_str(&format!(" and {} more", thousands(more as u64)));
            }
            if k.computers.is_empty() {
                on = "Computers: none named".to_owned();
            }
            lines.push(Line::from(on));
            let e = &k.example;
            let at = e
                .completion_time
                .copied()
                .unwrap_or(e.creation_time)
                .with_timezone(&app.clock.offset)
                .format("%Y-%m-%d %H:%M");
            lines.push(Line::from(Span::styled(
                format!(
                    "Example: activity {}{} at {at}: {}",
                    app.id_text(e.id),
                    e.computer()
                        .map(|c| format!(" on {}", name(c)))
                        .unwrap_or_default(),
                    printable(&e.summary)
                ),
                app.prefs.theme.header,
            )));
            let text = e.result_text.get().map_or("", |t| &**t);
            for l in printable_lines(text).lines() {
                lines.push(Line::from(format!("  {l}")));
            }
        }
    }
    lines
}
