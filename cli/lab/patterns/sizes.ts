// Request counts shared by the patterns, sized so the whole lab (every client of every
// pattern) stays well under a minute on a small CI machine while each effect is unmistakable.

/** Sequential requests per row in patterns 1, 2, 3 and 6. */
export const N = 300;
