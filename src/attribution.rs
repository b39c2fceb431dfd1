//! First and last touch: where a visit came from.
//!
//! The rules follow Google Analytics' sessions, the convention marketers already read:
//! - a new campaign (UTM parameters that differ from the current visit's) starts a new visit,
//!   so a campaign clicked mid-visit is credited;
//! - a referrer on the site's own host is navigation inside the site, not a source;
//! - a direct visit (no campaign, no outside referrer) keeps the previous visit's source: last
//!   touch is the last *non-direct* source, with the direct visit's time and landing page.

use crate::event::Event;
use crate::handoff;
use crate::state::Touch;

/// The touch `event` opens, without a referrer from the page's own host.
pub(crate) fn touch_of(event: &Event) -> Touch {
    let mut touch = handoff::touch_of(event);
    if let (Some(referrer), Some(url)) = (touch.referrer.as_deref(), event.url.as_deref()) {
        if same_host(referrer, url) {
            touch.referrer = None;
        }
    }
    touch
}

/// Whether `event` carries a campaign other than the current visit's: a new visit.
pub(crate) fn is_new_campaign(event: &Event, current: Option<&Touch>) -> bool {
    !event.campaign.is_empty() && current.is_none_or(|t| t.utm != event.campaign)
}

/// `touch` as the last touch after `previous`: a direct visit keeps the previous source.
pub(crate) fn last_touch(mut touch: Touch, previous: Option<&Touch>) -> Touch {
    if touch.referrer.is_none() && touch.utm.is_empty() {
        if let Some(p) = previous {
            touch.referrer.clone_from(&p.referrer);
            touch.utm = p.utm.clone();
        }
    }
    touch
}

fn same_host(a: &str, b: &str) -> bool {
    match (host(a), host(b)) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

/// The host of an absolute URL, without user info or port; `None` for anything else.
///
/// One forward pass over the bytes: `str` searches by `&str` or from the back bring core's
/// searchers and their slicing panics into the snippet (~5 KB gzip for `split_once("://")`).
fn host(url: &str) -> Option<&str> {
    let bytes = url.as_bytes();
    let scheme_end = bytes.windows(3).position(|w| w == b"://")? + 3;
    let (mut start, mut end, mut port) = (scheme_end, bytes.len(), None);
    for (i, &b) in bytes.iter().enumerate().skip(scheme_end) {
        match b {
            b'/' | b'?' | b'#' => {
                end = i;
                break;
            }
            b'@' => (start, port) = (i + 1, None),
            b':' => port = Some(i),
            // An IPv6 literal's colons are inside its brackets.
            b']' => port = None,
            _ => {}
        }
    }
    let host = url.get(start..port.unwrap_or(end))?;
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Campaign;

    #[test]
    fn hosts() {
        assert_eq!(host("https://Example.com/pricing?x=1"), Some("Example.com"));
        assert_eq!(host("http://u:p@example.com:8080#top"), Some("example.com"));
        assert_eq!(host("https://[::1]:3000/a"), Some("[::1]"));
        assert_eq!(host("https://[::1]/a"), Some("[::1]"));
        assert_eq!(host("/relative/path"), None);
        assert_eq!(host("https:///nohost"), None);
        assert!(same_host(
            "https://www.acme.io/blog",
            "https://WWW.ACME.IO/pricing"
        ));
        assert!(!same_host("https://google.com/", "https://acme.io/"));
        assert!(!same_host("", "https://acme.io/"));
    }

    fn touch(at: i64, referrer: Option<&str>, source: Option<&str>) -> Touch {
        Touch {
            at,
            landing_page: Some(format!("/p{at}")),
            referrer: referrer.map(str::to_owned),
            utm: Campaign {
                source: source.map(str::to_owned),
                ..Campaign::default()
            },
        }
    }

    #[test]
    fn a_direct_visit_keeps_the_previous_source() {
        let prev = touch(1, Some("https://news.ycombinator.com/"), Some("hn"));
        let got = last_touch(touch(2, None, None), Some(&prev));
        assert_eq!(got.at, 2);
        assert_eq!(got.landing_page.as_deref(), Some("/p2"));
        assert_eq!(got.referrer, prev.referrer);
        assert_eq!(got.utm, prev.utm);
        // A visit with a source of its own replaces it; the first visit has nothing to keep.
        let own = touch(3, Some("https://google.com/"), None);
        assert_eq!(last_touch(own.clone(), Some(&prev)), own);
        assert_eq!(last_touch(touch(4, None, None), None), touch(4, None, None));
    }
}
