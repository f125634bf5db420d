namespace AnomalyClip.Reports.Html;

/// <summary>The page's inline style sheet.</summary>
internal static class ReportStyles
{
    /// <summary>CSS for the whole page: system fonts, cards, responsive grids for plots and galleries.</summary>
    public const string Css = """
:root {
  --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f6f7f9; --card: #ffffff;
  --accent: #2563eb; --bad: #dc2626; --good: #059669;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 28px; margin: 2px 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 21px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 22px 0 10px; }
.sub { color: var(--muted); font-weight: 400; font-size: 0.85em; }
h2 .sub, h3 .sub { margin-left: 8px; }
.kicker { margin: 0; color: var(--accent); font-weight: 600; text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; }
header, section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 24px; margin-bottom: 18px;
  box-shadow: 0 1px 2px rgba(17, 24, 39, 0.04); }
header p.sub { margin: 0 0 12px; }
details.settings summary { cursor: pointer; color: var(--muted); font-weight: 600; margin-bottom: 6px; }
table.kv { border-collapse: collapse; font-size: 13px; }
table.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 2px 18px 2px 0; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 2px 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; word-break: break-all; }
nav.classes { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 18px; }
nav.classes a { background: var(--card); border: 1px solid var(--line); border-radius: 999px; padding: 3px 12px; font-size: 13px;
  color: var(--fg); text-decoration: none; }
nav.classes a:hover { border-color: var(--accent); color: var(--accent); }
.table-wrap { overflow-x: auto; }
table.metrics { border-collapse: separate; border-spacing: 0; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
table.metrics th, table.metrics td { padding: 6px 10px; text-align: right; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.metrics thead th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
table.metrics thead th.group { text-align: center; border-bottom: 2px solid var(--line); }
table.metrics .name { text-align: left; }
table.metrics tbody th a { color: var(--fg); text-decoration: none; font-weight: 600; }
table.metrics tbody th a:hover { color: var(--accent); }
table.metrics td.count { color: var(--fg); }
table.metrics td.na { color: var(--muted); text-align: center; }
table.metrics tr.mean th, table.metrics tr.mean td { font-weight: 700; border-top: 2px solid var(--fg); border-bottom: none; }
.hint { color: var(--muted); font-size: 12.5px; margin: 10px 0 0; }
.chips { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 14px; }
.chip { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 3px 10px; font-size: 13px; }
.chip .k { color: var(--muted); }
.curves { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
figure { margin: 0; }
figure.plot { border: 1px solid var(--line); border-radius: 10px; padding: 8px; text-align: center; }
figure.plot img { width: 100%; max-width: 440px; height: auto; }
figure.plot figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
figure.plot figcaption b { color: var(--fg); }
.note { background: #fffbeb; border: 1px solid #fde68a; color: #92400e; border-radius: 8px; padding: 8px 12px; font-size: 14px; margin: 0; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.card { position: relative; background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; display: flex; flex-direction: column; }
.card.mistake { border-color: #fca5a5; box-shadow: inset 0 3px 0 var(--bad); }
.card img { display: block; width: 100%; height: auto; background: #111827; aspect-ratio: auto; }
.card .noimg { aspect-ratio: 1 / 1; display: flex; align-items: center; justify-content: center; text-align: center; padding: 12px;
  background: repeating-linear-gradient(45deg, #f3f4f6, #f3f4f6 8px, #e5e7eb 8px, #e5e7eb 16px); color: var(--muted); font-size: 13px; }
.card figcaption { padding: 7px 9px 9px; font-size: 12.5px; }
.card .file { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 11.5px;
  overflow-wrap: anywhere; }
.card .folder { color: var(--muted); font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; direction: rtl; text-align: left; }
.card .label { position: absolute; top: 6px; left: 6px; border-radius: 999px; padding: 1px 8px; font-size: 11px; font-weight: 600;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.25); }
.label.anomalous { background: #fee2e2; color: #991b1b; }
.label.normal { background: #d1fae5; color: #065f46; }
.card .score { font-variant-numeric: tabular-nums; margin-top: 3px; }
.score .k { color: var(--muted); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; vertical-align: baseline; }
.why { color: var(--bad); font-size: 11.5px; margin-top: 3px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
@media (max-width: 640px) { main { padding: 12px; } header, section { padding: 14px; } }
@media print { body { background: #fff; } header, section { box-shadow: none; break-inside: avoid-page; } }

""";
}
