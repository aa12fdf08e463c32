// Exact sums of decimals written as text (parcel areas), for comparing with a plan's total.

/** The sum of `values` (decimal strings such as "2.3253"), written without trailing zeros. */
export function addDecimal(values) {
  const scale = Math.max(0, ...values.map((v) => (String(v).split('.')[1] ?? '').length));
  let sum = 0n;
  for (const v of values) {
    const [int, frac = ''] = String(v).trim().split('.');
    const negative = int.startsWith('-');
    const digits = BigInt(`${int.replace('-', '') || '0'}${frac.padEnd(scale, '0')}`);
    sum += negative ? -digits : digits;
  }
  const negative = sum < 0n;
  const s = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  let out = scale > 0 ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  if (out.includes('.')) out = out.replace(/0+$/, '').replace(/\.$/, '');
  return negative ? `-${out}` : out;
}

function scaled(value, scale) {
  const [int, frac = ''] = String(value).trim().split('.');
  const digits = BigInt(`${int.replace('-', '') || '0'}${frac.padEnd(scale, '0')}`);
  return int.startsWith('-') ? -digits : digits;
}

/** Whether `written` (e.g. "67.12") is `exact` (e.g. "67.1234") rounded to its own digits. */
export function roundsTo(exact, written) {
  const digits = (String(written).split('.')[1] ?? '').length;
  const scale = Math.max(digits, (String(exact).split('.')[1] ?? '').length);
  let diff = scaled(exact, scale) - scaled(written, scale);
  if (diff < 0n) diff = -diff;
  return 2n * diff * 10n ** BigInt(digits) <= 10n ** BigInt(scale);
}
