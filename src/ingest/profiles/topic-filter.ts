/** `a/+/b` matches `a/x/b`; `a/#` matches `a` and everything below (MQTT 3.1.1 §4.7.1.2, §4.7.1.3). */
export function topicMatches(filter: readonly string[], topic: string): boolean {
  const levels = topic.split('/');
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i]!;
    if (f === '#') return true;
    if (i >= levels.length) return false;
    if (f !== '+' && f !== levels[i]) return false;
  }
  return levels.length === filter.length;
}
