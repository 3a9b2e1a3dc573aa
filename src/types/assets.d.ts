// Files imported as text (migrations) or as embedded file paths (the reference page script).
declare module '*.sql' {
  const text: string
  export default text
}
