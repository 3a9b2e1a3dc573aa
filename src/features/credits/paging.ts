/** Page-size handling for cursor lists (kept here for the features that import it from credits). */
export { pageLimit, numericCursor } from '../../lib/paging'
