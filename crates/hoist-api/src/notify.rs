//! OS notifications when a batch of uploads finishes: one per quiet period,
//! never one per file.

use crate::dto::{JobStateView, UiEvent};

/// Counts what finished since the queue last went idle.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BatchTally {
    pub uploaded: u32,
    pub failed: u32,
    /// Already in the library (nothing sent).
    pub skipped: u32,
    /// Where the batch went; None when it went to several places.
    destination: Option<String>,
    mixed: bool,
}

/// What to tell the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

fn files(n: u32) -> String {
    if n == 1 {
        "1 file".to_string()
    } else {
        format!("{n} files")
    }
}

impl BatchTally {
    /// Feed an event; returns a notice when a batch just ended.
    pub fn observe(&mut self, event: &UiEvent) -> Option<Notice> {
        match event {
            UiEvent::JobChanged { job } => {
                match job.state {
                    JobStateView::Ready => self.uploaded += 1,
                    JobStateView::Failed => self.failed += 1,
                    JobStateView::Duplicate => self.skipped += 1,
                    _ => return None,
                }
                match &self.destination {
                    Some(d) if *d != job.destination => self.mixed = true,
                    Some(_) => {}
                    None => self.destination = Some(job.destination.clone()),
                }
                None
            }
            UiEvent::Idle => self.finish(),
            _ => None,
        }
    }

    fn finish(&mut self) -> Option<Notice> {
        let t = std::mem::take(self);
        let destination = match (t.mixed, t.destination.as_deref()) {
            (false, Some(d)) => d,
            _ => "your libraries",
        };
        if t.uploaded + t.failed + t.skipped == 0 {
            return None;
        }
        let mut body = match t.uploaded {
            0 => String::new(),
            n => format!("{} uploaded to {destination}.", files(n)),
        };
        if t.skipped > 0 {
            body.push_str(&format!(
                "{}{} already there, skipped.",
                if body.is_empty() { "" } else { " " },
                files(t.skipped)
            ));
        }
        if t.failed > 0 {
            body.push_str(&format!(
                "{}{} failed: open Hoist to see why and retry.",
                if body.is_empty() { "" } else { " " },
                files(t.failed)
            ));
            return Some(Notice {
                title: "Some uploads failed".to_string(),
                body,
            });
        }
        Some(Notice {
            title: "Uploads finished".to_string(),
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::JobView;

    fn changed(state: JobStateView) -> UiEvent {
        changed_to(state, "Studio")
    }

    fn changed_to(state: JobStateView, destination: &str) -> UiEvent {
        UiEvent::JobChanged {
            job: Box::new(JobView {
                id: 1,
                name: "a.jpg".into(),
                path: "/a.jpg".into(),
                size: 1,
                content_type: "image/jpeg".into(),
                destination: destination.into(),
                state,
                bytes_sent: 0,
                attempts: 1,
                error: None,
                reason: None,
                request_id: None,
                actions: Default::default(),
                group: hoist_core::model::JobGroup::Active,
                next_attempt_at: None,
                url: None,
                sync_folder: None,
            }),
        }
    }

    #[test]
    fn one_notice_per_batch_with_counts_in_words() {
        let mut t = BatchTally::default();
        for s in [
            JobStateView::Uploading,
            JobStateView::Ready,
            JobStateView::Ready,
        ] {
            assert_eq!(t.observe(&changed(s)), None);
        }
        let n = t.observe(&UiEvent::Idle).expect("a notice");
        assert_eq!(n.title, "Uploads finished");
        assert_eq!(n.body, "2 files uploaded to Studio.");
        assert_eq!(t.observe(&UiEvent::Idle), None, "nothing new");
    }

    #[test]
    fn failures_change_the_title_and_say_what_to_do() {
        let mut t = BatchTally::default();
        t.observe(&changed(JobStateView::Ready));
        t.observe(&changed(JobStateView::Failed));
        t.observe(&changed(JobStateView::Duplicate));
        let n = t.observe(&UiEvent::Idle).expect("a notice");
        assert_eq!(n.title, "Some uploads failed");
        assert_eq!(
            n.body,
            "1 file uploaded to Studio. 1 file already there, skipped. 1 file failed: open Hoist to see why and retry."
        );
    }

    #[test]
    fn a_batch_to_several_places_does_not_name_one() {
        let mut t = BatchTally::default();
        t.observe(&changed_to(JobStateView::Ready, "Studio"));
        t.observe(&changed_to(JobStateView::Ready, "Local sandbox"));
        let n = t.observe(&UiEvent::Idle).expect("a notice");
        assert_eq!(n.body, "2 files uploaded to your libraries.");
    }
}
