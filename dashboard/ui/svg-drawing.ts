/**
 * The server's SVG as a DOM node to insert: parsed as SVG (not HTML), with what the page's CSP
 * refuses or what could run taken out (<style>, <script>, <foreignObject>, style and on*
 * attributes, javascript: links). The page's stylesheet styles it instead.
 */
export function svgNodeOf(svgText: string): SVGSVGElement | null {
  // Out before parsing: even a parsed, never inserted <style> is reported as a CSP violation.
  const withoutStyle = svgText.replace(/<style[\s\S]*?<\/style>/gi, '');
  const parsed = new DOMParser().parseFromString(withoutStyle, 'image/svg+xml');
  const root = parsed.documentElement;
  if (!(root instanceof SVGSVGElement) || parsed.querySelector('parsererror')) return null;
  for (const element of [...root.querySelectorAll('style, script, foreignObject')]) {
    element.remove();
  }
  for (const element of [root, ...root.querySelectorAll('*')]) {
    for (const attribute of [...element.attributes]) {
      const name = attribute.name.toLowerCase();
      const scripted = name.endsWith('href') && /^\s*javascript:/i.test(attribute.value);
      if (name === 'style' || name.startsWith('on') || scripted) {
        element.removeAttribute(attribute.name);
      }
    }
  }
  return document.importNode(root, true);
}
