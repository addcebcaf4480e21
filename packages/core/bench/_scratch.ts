import "./resolveHook.js";
import * as tf from '@tensorflow/tfjs-core';
const { initBackend } = await import("../src/backend/initBackend.js");
const r = await initBackend();
console.log(r);
const a = tf.randomNormal([512,512]); const b = tf.randomNormal([512,512]);
function time(name: string, f: () => tf.Tensor) {
  for (let i=0;i<2;i++) f().dispose();
  const ts=[]; for (let i=0;i<5;i++){const t0=performance.now(); const o=f(); o.dataSync(); o.dispose(); ts.push(performance.now()-t0);}
  ts.sort((x,y)=>x-y); console.log(name, ts[2].toFixed(1));
}
for (const [ta,tb] of [[false,false],[true,false],[false,true],[true,true]] as const) {
  time(`mm ${ta} ${tb}`, () => tf.matMul(a,b,ta,tb));
  time(`fused ${ta} ${tb}`, () => tf.fused.matMul({a,b,transposeA:ta,transposeB:tb, activation:'relu'}));
}
time('transpose', () => tf.transpose(a));
