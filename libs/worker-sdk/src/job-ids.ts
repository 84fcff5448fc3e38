/**
 * BullMQ job ids of trials. BullMQ rejects custom ids that parse as integers ("42", "-7") or that
 * contain `:`, so a trial id is escaped — injectively, and unchanged in the common case — by
 * percent-encoding `%` and `:`, and, for an id BullMQ would read as an integer, its first
 * character ("42" → "%342").
 */
export function trialJobId(trialId: string): string {
  const escaped = trialId.replace(/%/g, '%25').replace(/:/g, '%3A');
  if (String(Number.parseInt(escaped, 10)) !== escaped) return escaped;
  return `%${escaped.charCodeAt(0).toString(16).toUpperCase()}${escaped.slice(1)}`;
}
