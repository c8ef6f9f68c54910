import type { CrossFieldRule } from './registry';

/**
 * The rule shared by every all-or-nothing write option (a transactional bulk
 * operation, an atomic import): going on after an error contradicts rolling
 * back at the first one. `flag` defaults to true, so its JSON Schema encoding
 * requires it to be given as false whenever continueOnError is true.
 */
export function excludesContinueOnError<K extends string>(
  flag: K,
  rolledBack: string,
): CrossFieldRule<{ [P in K | 'continueOnError']: boolean }> {
  return {
    name: `${flag}_excludes_continue_on_error`,
    message: `continueOnError needs ${flag}: false; ${rolledBack} is rolled back whole at the first error`,
    path: ['continueOnError'],
    holds: (options) => !(options[flag] && options.continueOnError),
    jsonSchema: {
      if: { properties: { continueOnError: { const: true } }, required: ['continueOnError'] },
      then: { properties: { [flag]: { const: false } }, required: [flag] },
    },
  };
}

/**
 * The rule of every result page that can carry a total (a load result, a
 * query result): the total counts every match, so it is never below the
 * records of one page. JSON Schema cannot compare a number with an array's
 * length, so it is listed as unchecked.
 */
export function totalNotBelowRecordCount(): CrossFieldRule<{ total?: number | undefined; records: readonly unknown[] }> {
  return {
    name: 'total_not_below_record_count',
    message: 'total must not be below the number of records returned',
    path: ['total'],
    holds: (page) => page.total === undefined || page.total >= page.records.length,
  };
}
