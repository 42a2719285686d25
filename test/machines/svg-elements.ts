/** An element of a parsed SVG: its name, attributes, children and direct text. */
export interface SvgElement {
  name: string;
  attributes: Record<string, string>;
  children: SvgElement[];
  text: string;
  parent: SvgElement | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ENTITIES[name]!);
}

/**
 * A strict little XML reader for the drawings under test: it throws on a tag that is not
 * closed in order, on an attribute value holding a raw `<` or `&`, and on text holding a raw
 * `<` or `&` (what an unescaped hostile string would leave behind).
 */
export function parseSvg(source: string): SvgElement {
  const root: SvgElement = {
    name: '#document',
    attributes: {},
    children: [],
    text: '',
    parent: null,
  };
  let current = root;
  const token = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/gy;
  let index = 0;
  while (index < source.length) {
    token.lastIndex = index;
    const match = token.exec(source);
    if (!match) throw new Error(`not well-formed at ${index}: ${source.slice(index, index + 40)}`);
    index = token.lastIndex;
    const [, closing, name, attributeText, selfClosing, text] = match;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|#39);)/.test(text)) throw new Error(`raw & in text: ${text}`);
      current.text += decode(text);
      continue;
    }
    if (closing) {
      if (current.name !== name) throw new Error(`</${name}> closes <${current.name}>`);
      current = current.parent!;
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (value!.includes('<') || /&(?!(amp|lt|gt|quot|#39);)/.test(value!)) {
        throw new Error(`raw markup in ${key}="${value}"`);
      }
      attributes[key!] = decode(value!);
    }
    const element: SvgElement = {
      name: name!,
      attributes,
      children: [],
      text: '',
      parent: current,
    };
    current.children.push(element);
    if (!selfClosing) current = element;
  }
  if (current !== root) throw new Error(`<${current.name}> is never closed`);
  return root;
}

/** Every element below `root` (depth first) that satisfies `test`. */
export function findAll(root: SvgElement, test: (e: SvgElement) => boolean): SvgElement[] {
  const found: SvgElement[] = [];
  const visit = (e: SvgElement) => {
    for (const child of e.children) {
      if (test(child)) found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found;
}

/** Whether the element's class list holds `name`. */
export function hasClass(e: SvgElement, name: string): boolean {
  return (e.attributes.class ?? '').split(/\s+/).includes(name);
}

/** All text inside the element, its descendants' included. */
export function textOf(e: SvgElement): string {
  return e.text + e.children.map(textOf).join('');
}
