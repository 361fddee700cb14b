import { PLANETS, type Planet } from './planets.js';

/** Thrown for input a tool cannot handle; its message is shown to the user. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

/**
 * Evaluates an arithmetic expression: numbers, + - * / % ^ (power, right-assoc), parentheses,
 * unary minus, and × ÷. A small recursive-descent parser: no eval, nothing else is accepted.
 */
export function calculate(expression: string): number {
  const source = expression.replace(/×/g, '*').replace(/÷/g, '/').replace(/\*\*/g, '^');
  const tokens = source.match(/\d+(?:\.\d+)?|[-+*/%^()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  const primary = (): number => {
    const token = take();
    if (token === undefined) throw new ToolError('the expression ends too early');
    if (token === '(') {
      const value = sum();
      if (take() !== ')') throw new ToolError('a closing parenthesis is missing');
      return value;
    }
    if (token === '-') return -unary();
    if (token === '+') return unary();
    if (/^\d/.test(token)) return Number(token);
    throw new ToolError(`unexpected "${token}"`);
  };
  const unary = (): number => primary();
  const power = (): number => {
    const base = unary();
    if (peek() === '^') {
      take();
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let value = power();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      take();
      const right = power();
      if ((op === '/' || op === '%') && right === 0) throw new ToolError('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      take();
      const right = product();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  };
  if (tokens.length === 0) throw new ToolError('empty expression');
  const value = sum();
  if (i !== tokens.length) throw new ToolError(`unexpected "${tokens[i]}"`);
  if (!Number.isFinite(value)) throw new ToolError('the result is not a finite number');
  return Number(value.toPrecision(12));
}

/** Finds an arithmetic expression in a sentence ("What is 17 * 23?" → "17 * 23"). */
export function findExpression(text: string): string | undefined {
  for (const match of text.matchAll(/[-+*/%^×÷().\d\s]+/g)) {
    const candidate = match[0].trim();
    if (/\d\s*[-+*/%^×÷]\s*[-(\d]/.test(candidate)) return candidate;
  }
  return undefined;
}

export type PlanetAttribute =
  | 'moons'
  | 'diameterKm'
  | 'distanceAu'
  | 'dayHours'
  | 'yearDays'
  | 'type';

const ATTRIBUTE_WORDS: [RegExp, PlanetAttribute][] = [
  [/\bmoons?\b|satellites?/, 'moons'],
  [/diameter|size|big|large|small|wide/, 'diameterKm'],
  [/distance|far|close|near|from the sun/, 'distanceAu'],
  [/\bday\b|rotat|spin/, 'dayHours'],
  [/\byear\b|orbit/, 'yearDays'],
  [/\btype\b|kind|made of|giant|rocky/, 'type'],
];

export interface SearchResult {
  query: string;
  attribute?: PlanetAttribute;
  order?: 'largest' | 'smallest';
  matches: Planet[];
}

/** Searches the bundled planet dataset by name, attribute words and superlatives. */
export function searchPlanets(query: string): SearchResult {
  const q = query.toLowerCase();
  const attribute = ATTRIBUTE_WORDS.find(([re]) => re.test(q))?.[1];
  let matches = PLANETS.filter((p) => q.includes(p.name.toLowerCase()));
  let order: SearchResult['order'];
  if (/\b(largest|biggest|most|farthest|furthest|longest)\b/.test(q)) order = 'largest';
  else if (/\b(smallest|fewest|least|closest|nearest|shortest)\b/.test(q)) order = 'smallest';
  if (matches.length === 0 && order && attribute && attribute !== 'type') {
    const sorted = [...PLANETS].sort((a, b) => a[attribute] - b[attribute]);
    matches = [order === 'largest' ? (sorted.at(-1) as Planet) : (sorted[0] as Planet)];
  } else if (matches.length === 0 && attribute === 'type' && /gas/.test(q)) {
    matches = PLANETS.filter((p) => p.type === 'gas giant');
  } else if (matches.length === 0 && attribute === 'type' && /ice/.test(q)) {
    matches = PLANETS.filter((p) => p.type === 'ice giant');
  }
  return {
    query,
    ...(attribute !== undefined && { attribute }),
    ...(order !== undefined && { order }),
    matches,
  };
}

const FORMAT: Record<PlanetAttribute, (p: Planet) => string> = {
  moons: (p) => `${p.name} has ${p.moons} known moon${p.moons === 1 ? '' : 's'}.`,
  diameterKm: (p) => `${p.name} is ${p.diameterKm.toLocaleString('en-US')} km across.`,
  distanceAu: (p) => `${p.name} orbits ${p.distanceAu} AU from the Sun on average.`,
  dayHours: (p) => `A day on ${p.name} (one rotation) lasts ${p.dayHours} hours.`,
  yearDays: (p) => `A year on ${p.name} lasts ${p.yearDays.toLocaleString('en-US')} Earth days.`,
  type: (p) => `${p.name} is a ${p.type}.`,
};

const LABEL: Record<PlanetAttribute, string> = {
  moons: 'number of moons',
  diameterKm: 'diameter',
  distanceAu: 'distance from the Sun',
  dayHours: 'length of day',
  yearDays: 'length of year',
  type: 'type',
};

/** Turns a search result into an answer sentence. */
export function describe(result: SearchResult): string {
  if (result.matches.length === 0) return '';
  const attribute = result.attribute ?? 'type';
  const lines = result.matches.map((p) => FORMAT[attribute](p));
  if (result.order && result.matches.length === 1) {
    const planet = result.matches[0] as Planet;
    return `By ${LABEL[attribute]}, the ${result.order} is ${planet.name}. ${lines[0]}`;
  }
  return lines.join(' ');
}
