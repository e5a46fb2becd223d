package org.memcircuits.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DjlDeviceTest {
    @Test
    void devicesParseAndAGpuThatIsNotThereIsAClearError() {
        assertThat(Djl.parseDevice("cpu", Djl.engine())).isEqualTo(Device.cpu());
        assertThat(Djl.parseDevice(" CPU ", Djl.engine())).isEqualTo(Device.cpu());
        assertThat(Djl.parseDevice("auto", Djl.engine())).isEqualTo(Djl.engine().defaultDevice());
        int gpus = Djl.engine().getGpuCount();
        assertThatThrownBy(() -> Djl.parseDevice("gpu:" + gpus, Djl.engine()))
                .hasMessageContaining("CIRCUITS_DEVICE is 'gpu:" + gpus + "'").hasMessageContaining(gpus + " GPU(s)");
        assertThatThrownBy(() -> Djl.parseDevice("tpu", Djl.engine())).hasMessageContaining("expected auto, cpu, gpu or gpu:N");
    }
}
