import type { BalanceMethodName } from '../../config/schema';
import type { Balancer } from '../balancer';
import { ConsistentHashBalancer, HashBalancer } from './hash';
import { LeastConnBalancer } from './least-conn';
import { RandomTwoBalancer } from './random-two';
import { RoundRobinBalancer } from './round-robin';

export function createBalancer(method: BalanceMethodName, consistent: boolean): Balancer {
  switch (method) {
    case 'round-robin':
      return new RoundRobinBalancer();
    case 'least-conn':
      return new LeastConnBalancer();
    case 'random-two':
      return new RandomTwoBalancer();
    case 'ip-hash':
      return new HashBalancer();
    case 'hash':
      return consistent ? new ConsistentHashBalancer() : new HashBalancer();
  }
}
