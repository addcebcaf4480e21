import { labTsup } from '../../tsup.base.js';

export default labTsup();
