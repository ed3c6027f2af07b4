/** Writes a benchmark's results into one section of docs/performance.md, leaving the other sections as they are. */
import * as fs from 'node:fs';

export function updateSection(file: string, title: string, body: string): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Performance\n\nFigures measured on this project\'s machine; each section names the command that made it.\n';
  const heading = `## ${title}`;
  const start = text.indexOf(heading);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${heading}\n\n${body.trim()}\n`;
  else {
    const after = text.indexOf('\n## ', start + heading.length);
    next = `${text.slice(0, start)}${heading}\n\n${body.trim()}\n${after < 0 ? '' : text.slice(after)}`;
  }
  fs.writeFileSync(file, next);
}

/** The median of a bench's runs (the middle one, or the mean of the middle two). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
