// Neither a catalog nor a mapper.
export default { hello: 'world' };
export const other = 1;
