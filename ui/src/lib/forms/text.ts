// Form texts are objects keyed by language; German is always present.
export type Text = { [lang in string]?: string };

export function pick(text: Text | null | undefined, language: string): string {
  if (!text) return '';
  return text[language] ?? text['de'] ?? Object.values(text)[0] ?? '';
}

/** The text in `language`, or the German one it falls back to — with the language it is in. */
export function pickLang(
  text: Text | null | undefined,
  language: string,
): { text: string; lang: string } {
  if (!text) return { text: '', lang: language };
  const own = text[language];
  if (own !== undefined) return { text: own, lang: language };
  if (text['de'] !== undefined) return { text: text['de'], lang: 'de' };
  const [lang, first] = Object.entries(text)[0] ?? [language, ''];
  return { text: first ?? '', lang };
}
