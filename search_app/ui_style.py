"""The UI's style sheet: the classes ui_render.py's HTML uses (hits, the document page, footnotes, entity
chips, metadata) and those of testimonies and rulings. app.py puts both on the page once."""

CSS = """
<style>
.tm-hit .tm-title {font-weight: 600; font-size: 1.05rem; line-height: 1.35;}
.tm-hit .tm-meta {font-size: 0.85rem; opacity: 0.75; margin: 0.15rem 0 0.4rem 0;}
.tm-hit .tm-snippet {font-size: 0.95rem; line-height: 1.5;}
.tm-badge {display: inline-block; padding: 0 0.45rem; border-radius: 0.6rem; font-size: 0.78rem;
  background: rgba(60, 110, 180, 0.14); color: inherit; margin-right: 0.2rem;}
.tm-badge.tm-ocr {background: rgba(200, 120, 40, 0.18);}
mark {background: #ffe08a; color: #1c1c1c; padding: 0 0.1rem; border-radius: 0.15rem;}
.tm-passage {background: rgba(255, 214, 90, 0.25); border-radius: 0.15rem;}
.tm-page {font-family: Georgia, 'Times New Roman', serif; font-size: 0.98rem; line-height: 1.6;}
.tm-notes {font-size: 0.85rem; line-height: 1.45; padding-left: 0; margin-left: 0; list-style: none;}
.tm-notes li {margin: 0 0 0.35rem 0; padding-left: 1.8rem; text-indent: -1.8rem;}
.tm-notes-head {font-weight: 600; margin: 1rem 0 0.3rem 0; padding-top: 0.6rem;
  border-top: 1px solid rgba(128, 128, 128, 0.25);}
.tm-notes li.tm-cited {background: rgba(242, 201, 76, 0.18); border-radius: 0.25rem;}
.tm-fn {display: inline-block; min-width: 1.8rem; text-indent: 0; font-weight: 600; opacity: 0.8;}
.tm-chip {display: inline-block; padding: 0.05rem 0.5rem; margin: 0.12rem 0.15rem; border-radius: 0.7rem;
  background: rgba(128, 128, 128, 0.14); font-size: 0.82rem;}
.tm-ents {margin-bottom: 0.3rem;}
[class*="st-key-chips-"] button {min-height: 0; padding: 0.05rem 0.55rem; border-radius: 0.8rem;
  font-size: 0.8rem; line-height: 1.3;}
[class*="st-key-chips-"] button p {font-size: 0.8rem;}
h3.tm-doctitle {font-size: 1.35rem; line-height: 1.3; padding: 0; margin: 0 0 0.4rem 0;}
.tm-ents b {display: inline-block; min-width: 6.5rem; font-size: 0.82rem;}
table.tm-metadata {font-size: 0.85rem; border-collapse: collapse; margin-bottom: 0.5rem;}
table.tm-metadata th {text-align: left; padding: 0.1rem 0.8rem 0.1rem 0; font-weight: 600; opacity: 0.7;
  vertical-align: top; border: none;}
table.tm-metadata td {padding: 0.1rem 0; border: none; word-break: break-word;}
</style>
"""


EVIDENCE_CSS = """
<style>
.tm-quote .tm-qtext {font-family: Georgia, 'Times New Roman', serif; font-size: 1.3rem; line-height: 1.5;
  margin: 0 0 0.5rem 0; padding-left: 0.8rem; border-left: 3px solid rgba(60, 110, 180, 0.45);}
.tm-quote .tm-who {font-size: 0.98rem;}
.tm-quote .tm-meta {font-size: 0.88rem; opacity: 0.8; margin: 0.1rem 0;}
.tm-quote .tm-src {font-size: 0.85rem; opacity: 0.7;}
.tm-operative {font-family: Georgia, 'Times New Roman', serif; font-size: 0.95rem; line-height: 1.55;}
</style>
"""
