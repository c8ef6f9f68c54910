import { z } from 'zod';

/**
 * A free-text string of `min` to `max` Unicode code points.
 *
 * Zod's `.min()`/`.max()` count UTF-16 code units while JSON Schema's
 * `minLength`/`maxLength` count code points, so an emoji near the limit would
 * be judged differently by the two. A `u`-flag pattern counts code points in
 * both; `minLength`/`maxLength` are added to the JSON Schema for editors and
 * mean exactly the same thing there.
 */
export function boundedText(min: number, max: number) {
  return z
    .string()
    .regex(new RegExp(`^[\\s\\S]{${min},${max}}$`, 'u'), {
      error: min > 0 ? `must be ${min} to ${max} characters long` : `must be at most ${max} characters long`,
    })
    .meta({ minLength: min, maxLength: max });
}
