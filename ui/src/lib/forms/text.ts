// Form texts are objects keyed by language; German is always present.
export type Text = { [lang in string]?: string };

export function pick(text: Text | null | undefined, language: string): string {
  if (!text) return '';
  return text[language] ?? text['de'] ?? Object.values(text)[0] ?? '';
}
