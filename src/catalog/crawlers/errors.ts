/** Typed Glue crawler errors with AWS's codes (all HTTP 400); catalog errors (EntityNotFound, InvalidInput…) are reused from the catalog. */
import { CatalogError } from '../errors.js';

export const CrawlerErrors = {
  notFound: (name: string) => new CatalogError('EntityNotFoundException', `Crawler entry with name ${name} does not exist`),
  exists: (name: string) => new CatalogError('AlreadyExistsException', `Crawler with name ${name} has already been created`),
  invalidInput: (message: string) => new CatalogError('InvalidInputException', message),
  running: (name: string) => new CatalogError('CrawlerRunningException', `Crawler with name ${name} has already started`),
  notRunning: (name: string) => new CatalogError('CrawlerNotRunningException', `Crawler with name ${name} isn't running.`),
  stopping: (name: string) => new CatalogError('CrawlerStoppingException', `Crawler with name ${name} is stopping.`),
  noSchedule: (name: string) => new CatalogError('NoScheduleException', `Crawler with name ${name} does not have a schedule.`),
  schedulerRunning: (name: string) => new CatalogError('SchedulerRunningException', `Schedule of crawler ${name} is already scheduled.`),
  schedulerNotRunning: (name: string) => new CatalogError('SchedulerNotRunningException', `Schedule of crawler ${name} is not scheduled.`),
  limitExceeded: (message: string) => new CatalogError('ResourceNumberLimitExceededException', message),
} as const;
