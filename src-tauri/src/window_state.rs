//! The main window comes back where the user left it: position, size and whether it was
//! maximised are kept in the store's preferences when the window closes and applied at the
//! next start — unless the saved place is no longer on any screen (a laptop undocked from
//! its second monitor), then the window opens where the system puts it.

use crate::state::StoreExt;
use eingang_store::tables::preferences;
use serde::{Deserialize, Serialize};
use tauri::{Manager, PhysicalPosition, PhysicalSize, Runtime, Window};

const KEY: &str = "window.main";

/// The window's place in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Geometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

/// A screen's area: (x, y, width, height).
pub type Area = (i32, i32, u32, u32);

impl Geometry {
    /// Whether enough of the window (its title bar's first 100 × 40 px) lies on a screen to
    /// be grabbed, and it is of a usable size.
    pub fn fits(&self, screens: &[Area]) -> bool {
        if self.width < 400 || self.height < 300 || self.width > 20_000 || self.height > 20_000 {
            return false;
        }
        screens.iter().any(|&(sx, sy, sw, sh)| {
            let (sx2, sy2) = (i64::from(sx) + i64::from(sw), i64::from(sy) + i64::from(sh));
            let (x, y) = (i64::from(self.x), i64::from(self.y));
            x + 100 <= sx2 && x >= i64::from(sx) - 50 && y >= i64::from(sy) && y + 40 <= sy2
        })
    }
}

fn current<R: Runtime>(w: &Window<R>) -> Option<Geometry> {
    let pos = w.outer_position().ok()?;
    let size = w.inner_size().ok()?;
    Some(Geometry {
        x: pos.x,
        y: pos.y,
        width: size.width,
        height: size.height,
        maximized: w.is_maximized().unwrap_or(false),
    })
}

/// Saves the window's place (call when it is about to close).
pub fn save<R: Runtime>(w: &Window<R>) {
    let (Some(g), Ok(store)) = (current(w), w.store()) else {
        return;
    };
    let json = serde_json::to_string(&g).unwrap_or_default();
    if let Err(e) = store.with_tx(|c| preferences::set(c, KEY, &json)) {
        tracing::warn!(code = e.code(), "the window's place could not be saved");
    }
}

/// Puts the main window where it was last time (if that is still on a screen).
pub fn restore<R: Runtime, M: Manager<R>>(app: &M) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let Ok(store) = w.store() else { return };
    let saved: Option<Geometry> = store
        .with_conn(|c| preferences::get(c, KEY))
        .ok()
        .flatten()
        .and_then(|j| serde_json::from_str(&j).ok());
    let Some(g) = saved else { return };
    let screens: Vec<Area> = w
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let (p, s) = (m.position(), m.size());
            (p.x, p.y, s.width, s.height)
        })
        .collect();
    if !g.fits(&screens) {
        tracing::info!("the saved window place is off every screen; not used");
        return;
    }
    let _ = w.set_size(PhysicalSize::new(g.width, g.height));
    let _ = w.set_position(PhysicalPosition::new(g.x, g.y));
    if g.maximized {
        let _ = w.maximize();
    }
}

/// Shows the main window in front (a second start of the app asked for it).
pub fn bring_to_front<R: Runtime>(app: &tauri::AppHandle<R>) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let _ = w.unminimize();
    let _ = w.show();
    let _ = w.set_focus();
    tracing::info!("window brought to the front for a second start");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_counts_only_while_it_is_on_a_screen() {
        let laptop = (0, 0, 1920, 1080);
        let second = (1920, 0, 2560, 1440);
        let g = |x, y, width, height| Geometry {
            x,
            y,
            width,
            height,
            maximized: false,
        };
        assert!(g(100, 80, 1200, 800).fits(&[laptop]));
        // On the second monitor: fine while it is there, not once undocked.
        assert!(g(2500, 100, 1200, 800).fits(&[laptop, second]));
        assert!(!g(2500, 100, 1200, 800).fits(&[laptop]));
        // The title bar above the screen, or a window too small to use.
        assert!(!g(100, -200, 1200, 800).fits(&[laptop]));
        assert!(!g(100, 80, 120, 90).fits(&[laptop]));
        // Unknown screens (none reported): not used.
        assert!(!g(100, 80, 1200, 800).fits(&[]));
    }
}
