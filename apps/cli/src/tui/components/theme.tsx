import { createContext, type ReactNode, useContext } from 'react';

/** False under NO_COLOR: components then render without colours (bold and inverse stay). */
const ColorContext = createContext(true);

export function ColorProvider({ color, children }: { color: boolean; children: ReactNode }) {
  return <ColorContext.Provider value={color}>{children}</ColorContext.Provider>;
}

/** `paint('green')` is 'green', or undefined when colours are off. */
export function usePaint(): (color: string) => string | undefined {
  const color = useContext(ColorContext);
  return (name) => (color ? name : undefined);
}

/** NO_COLOR (any non-empty value, https://no-color.org) turns colours off. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}
