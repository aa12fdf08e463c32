// Exact comparison of decimal numbers written as text ("1,234.5678", "-0.5", "12%"), so that
// areas sort as numbers without turning them into floats (the project keeps areas exact).

/**
 * Parse the decimal written in `text` into {sign, int, frac}, or null when it holds no number.
 * Thousands separators, units and spaces around the number are ignored.
 */
export function parseDecimal(text) {
  const m = /(-|−)?\s*([0-9][0-9,，]*)(?:\.([0-9]+))?|(-|−)?\.([0-9]+)/.exec(String(text ?? ''));
  if (!m) return null;
  const negative = Boolean(m[1] || m[4]);
  let int = (m[2] ?? '0').replace(/[,，]/g, '').replace(/^0+(?=\d)/, '');
  let frac = (m[3] ?? m[5] ?? '').replace(/0+$/, '');
  if (int === '') int = '0';
  const zero = /^0*$/.test(int) && frac === '';
  return { sign: zero ? 0 : negative ? -1 : 1, int, frac };
}

function compareMagnitude(a, b) {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const n = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(n, '0');
  const fb = b.frac.padEnd(n, '0');
  if (fa === fb) return 0;
  return fa < fb ? -1 : 1;
}

/**
 * Compare two decimals written as text: negative, zero or positive as `a` is less than, equal
 * to or greater than `b`. Text without a number sorts after every number.
 */
export function compareDecimal(a, b) {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return x ? -1 : y ? 1 : 0;
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0) return 0;
  return x.sign * compareMagnitude(x, y);
}
