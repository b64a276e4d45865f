// SPDX-License-Identifier: MIT
// tests/node/md-to-html.mjs - markdown on stdin to HTML on stdout, rendered
// by markdown-it (CommonMark with GFM tables) with raw HTML allowed, as a
// PR comment allows some: a name that escapes its code span shows up as a
// live element (tests/e2e/escaping.sh looks for them).
import fs from "node:fs";
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: true });
process.stdout.write(md.render(fs.readFileSync(0, "utf8")));
