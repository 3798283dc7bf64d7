import type { en } from './en.js';

/** The core's messages in Chinese: `satisfies` the English catalog, so a missing key fails the build. */
export const zh = {
  apology: '抱歉，出了点问题。错误已记录，请稍后再试。',
  dbBusy: '数据库正忙（另一个 paperbot 进程正在写入），本次未做任何更改，请稍后重试。',
  everyoneManages: (v: { setting: string }) =>
    `注意：未配置频道管理员（${v.setting} 为空），因此本频道每位成员都可以更改每周论文、结束投票和修改已读记录。管理员可在 ${v.setting} 中指定有权限的人。`,
  inputTruncated: (v: { max: number }) => `输入过长，只读取了前 ${v.max} 个字符。`,
  tryHints: (v: { hints: string }) => `可以试试: ${v.hints}`,
  unknownId: (v: { id: string; consequence: string }) => `没有编号为“${v.id}”的论文。${v.consequence}`,
  'action.share': '分享到频道',
  'action.show': '查看',
  'label.authors': '作者',
  'label.tasks': '任务',
  'label.regions': '目标区域',
  'label.techniques': '计算机技术',
  'label.modalities': '医学技术',
  'label.venue': '期刊/会议',
  'label.datasets': '数据库',
  'label.id': '编号',
  'label.link': '链接',
  'label.noLink': '清单中无链接',
  'label.related': '相关论文',
} satisfies typeof en;
