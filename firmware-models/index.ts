import type { FirmwareMachine } from '../src/device/kit.js'
import { basicFirmware } from './basic.machine.js'
import { otaFirmware } from './ota.machine.js'

/** Built-in firmware models by the name device profiles use (`firmware.model`). */
export const builtinFirmwareModels: Readonly<Record<string, FirmwareMachine>> = {
  basic: basicFirmware,
  ota: otaFirmware,
}
