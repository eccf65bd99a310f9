import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { relative } from 'node:path'

export interface ManifestFile {
  path: string
  bytes: number
  sha256: string
  rows?: number
}

/** sha256 and size of a file, streamed (dataset parts can be large). */
export async function describeFile(dir: string, file: string, rows?: number): Promise<ManifestFile> {
  const hash = createHash('sha256')
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve())
      .on('error', reject)
  })
  const { size } = await stat(file)
  return { path: relative(dir, file).split('\\').join('/'), bytes: size, sha256: hash.digest('hex'), ...(rows === undefined ? {} : { rows }) }
}

export function sha256Text(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex')
}
