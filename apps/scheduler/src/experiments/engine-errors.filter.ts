import { ValidationError } from '@apiary/contracts';
import { ExperimentNotFoundError, ExperimentStateError } from '@apiary/engine';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

/**
 * The engine's errors as HTTP answers: a bad input is 400 `{ error: 'ValidationError', problems }`
 * (each problem a field path and the reason), an unknown id 404, a state conflict 409.
 */
@Catch(ValidationError, ExperimentNotFoundError, ExperimentStateError)
export class EngineErrorsFilter implements ExceptionFilter {
  catch(error: ValidationError | ExperimentNotFoundError | ExperimentStateError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<JsonResponse>();
    if (error instanceof ValidationError) {
      res.status(HttpStatus.BAD_REQUEST).json({ error: 'ValidationError', message: error.message, problems: error.problems });
    } else if (error instanceof ExperimentNotFoundError) {
      res.status(HttpStatus.NOT_FOUND).json({ error: 'NotFound', message: error.message });
    } else {
      res.status(HttpStatus.CONFLICT).json({ error: 'Conflict', message: error.message });
    }
  }
}
