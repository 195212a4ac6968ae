// The README's AWS section is checked against what it describes: the config keys table against
// the keys Pulumi.yaml declares (names and defaults), the cost table's arithmetic against itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const declared = (parse(readFileSync(join(ROOT, 'Pulumi.yaml'), 'utf8')) as { config: Record<string, { default?: unknown }> }).config;

/** The text of one `##`/`###` section, up to the next heading of any level. */
function section(title: string): string {
  const start = readme.indexOf(`${title}\n`);
  if (start < 0) throw new Error(`README has no section ${title}`);
  const rest = readme.slice(start + title.length + 1);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Rows of the markdown tables in a text, as trimmed cells. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|') && !/^\|[-:| ]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()));
}

describe('README: Deploying to AWS', () => {
  const rows = tableRows(section('## Deploying to AWS, step by step'));

  it('lists every aws… key Pulumi.yaml declares, and no other', () => {
    const listed = rows.flatMap(([keys]) => [...keys.matchAll(/`(aws[A-Z]\w*)`/g)].map((m) => m[1]));
    const awsKeys = Object.keys(declared).filter((key) => /^aws[A-Z]/.test(key));
    expect(awsKeys.length).toBeGreaterThan(10);
    expect([...listed].sort()).toEqual([...awsKeys].sort());
  });

  it('gives the defaults Pulumi.yaml declares (where the table shows one literally)', () => {
    for (const [keys, shown] of rows) {
      const names = [...keys.matchAll(/`(aws[A-Z]\w*)`/g)].map((m) => m[1]);
      const literals = [...shown.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      if (names.length !== 1 || literals.length !== 1) continue;
      expect([names[0], literals[0]]).toEqual([names[0], String(declared[names[0]].default)]);
    }
  });
});

describe('README: what the default stack costs', () => {
  const rows = tableRows(section('### What the default stack costs')).slice(1);
  const dollars = (cell: string) => Number(/\$([\d,]+\.\d\d)/.exec(cell)![1].replace(/,/g, ''));

  it('computes each line as its arithmetic says', () => {
    const priced = rows.filter(([, arithmetic]) => arithmetic !== '');
    expect(priced.length).toBeGreaterThanOrEqual(5);
    for (const [what, arithmetic, amount] of priced) {
      const expression = arithmetic.replace(/×/g, '*');
      expect(expression).toMatch(/^[\d.,*+() ]+$/);
      const value = Function(`return (${expression.replace(/,/g, '')});`)() as number;
      expect([what, Math.round(value * 100) / 100]).toEqual([what, dollars(amount)]);
    }
  });

  it('adds the lines up to the total', () => {
    const total = rows.find(([what]) => what.includes('total'))!;
    const lines = rows.filter((row) => row !== total).map(([, , amount]) => dollars(amount));
    expect(Math.round(lines.reduce((a, b) => a + b, 0) * 100) / 100).toBe(dollars(total[2]));
  });
});
