// Imported `with { type: 'file' }`: the value is a path that `Bun.file` can read, also when compiled.
declare module '@scalar/api-reference/browser/standalone.js' {
  const path: string
  export default path
}
