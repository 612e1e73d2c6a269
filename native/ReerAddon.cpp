// reer's additions to node-llama-cpp's addon, registered from addon.cpp's module
// initialisation (see addon-register.patch).
#include "napi.h"

void reerRegisterTokenLogprobs(Napi::Object exports);
void reerRegisterSequenceCopy(Napi::Object exports);

void reerRegisterAddon(Napi::Object exports) {
    reerRegisterTokenLogprobs(exports);
    reerRegisterSequenceCopy(exports);
}
