//! `?`: every key of every context, from the live keymap, scrollable.

use super::{centered, frame, scrolled};
use crate::i18n::{Lang, t};
use crate::tui::keymap::{Action, Context, action_label};
use crate::tui::view::{Effect, Env, Layer, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

#[derive(Default)]
pub struct Help {
    scroll: usize,
}

impl View for Help {
    fn kind(&self) -> &'static str {
        "help"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn on_action(&mut self, _env: &Env, action: Action) -> Option<Effect> {
        self.scroll = scrolled(self.scroll, action)?;
        Some(Effect::None)
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, 76, area.height);
        let mut lines = Vec::new();
        for ctx in Context::ALL {
            let bs = env.keymap.bindings(ctx);
            if bs.is_empty() {
                continue;
            }
            lines.push(Line::from(Span::styled(
                t(env.lang, &format!("ctx_{}", ctx.name())).to_string(),
                env.theme.header(),
            )));
            for b in bs.iter().filter(|b| b.action != Action::Noop) {
                let desc = if env.lang == Lang::Pl && !b.desc.is_empty() {
                    b.desc.clone()
                } else {
                    action_label(b.action, env.lang).to_string()
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<10}", b.label()), env.theme.key()),
                    Span::raw(desc),
                ]));
            }
        }
        Clear.render(r, buf);
        Paragraph::new(lines)
            .block(frame(&env.theme, t(env.lang, "help")))
            .scroll((self.scroll as u16, 0))
            .render(r, buf);
    }
}
