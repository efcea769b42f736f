import { loadStackConfig } from "./components/config";
import { registerLabels } from "./components/labels";
import { Platform } from "./components/platform";

// The whole config is validated before any resource exists; a ConfigError is a RunError, printed without a stack trace.
export = async () => {
    const config = loadStackConfig();
    registerLabels(config);
    const platform = new Platform(`dataplatform-${config.stack}`, { config });
    return platform.outputs;
};
