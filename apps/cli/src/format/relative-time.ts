/** "just now", "5m ago", "3h ago", "2d ago": the seed's wording, for listings. */
export function formatAge(thenIso: string, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - Date.parse(thenIso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
