import { describeBackend, initTensorflow, type BackendDescription } from '@apiary/tf-runtime';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

/** Chooses the TensorFlow.js backend at start-up and reports it (GET /health). */
@Injectable()
export class TensorflowService implements OnModuleInit {
  private readonly logger = new Logger('Tensorflow');
  private failure: string | null = null;

  async onModuleInit(): Promise<void> {
    try {
      await initTensorflow();
      const d = describeBackend();
      this.logger.log({ msg: d.summary, backend: d.backend, version: d.version });
    } catch (e) {
      // The cpu backend never fails, so this means a broken install; report it, keep serving.
      this.failure = e instanceof Error ? e.message : String(e);
      this.logger.error({ msg: 'TensorFlow.js could not be initialised', error: this.failure });
    }
  }

  describe(): (BackendDescription & { error?: string }) {
    const d = describeBackend();
    return this.failure === null ? d : { ...d, error: this.failure };
  }
}
