#!/usr/bin/env python3
"""Writes tests/fixtures/neighbours/kb/*.md: 200+ entries about other mini-program APIs and
problems, in the seed's style (a question as the title, a short answer), deliberately sharing its
vocabulary (报错, error 码, 白名单, 超时, 真机, IDE, 参数, 乱码, 同步 …). The relevance suite mixes
them into the bundled content to see that the seed's own queries still find their entries.

Deterministic: run `python3 scripts/neighbours.py` and commit the output.
"""

import os
import shutil

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "neighbours", "kb")

# (slug, API, what it does, the thing it handles, a limit or default worth knowing, category)
TOPICS = [
    ("upload-file", "my.uploadFile", "上传本地文件到开发者服务器", "文件", "单个文件不超过 10MB", "features"),
    ("download-file", "my.downloadFile", "下载文件到本地临时路径", "文件", "临时文件在小程序关闭后会被清理", "features"),
    ("connect-socket", "my.connectSocket", "创建 WebSocket 连接", "WebSocket 连接", "同时只能保持一个 WebSocket 连接", "features"),
    ("send-socket", "my.sendSocketMessage", "通过 WebSocket 发送消息", "WebSocket 消息", "需要在 onSocketOpen 之后调用", "features"),
    ("trade-pay", "my.tradePay", "发起支付", "支付订单", "trade_no 需由服务端下单接口生成", "request-errors"),
    ("auth-code", "my.getAuthCode", "获取用户授权码", "授权码", "authCode 只能使用一次，有效期 3 分钟", "request-errors"),
    ("get-location", "my.getLocation", "获取用户当前地理位置", "定位", "需要用户授权位置权限", "features"),
    ("choose-image", "my.chooseImage", "从相册选择图片或拍照", "图片", "一次最多选择 9 张", "features"),
    ("preview-image", "my.previewImage", "全屏预览图片", "图片预览", "urls 必须是 HTTPS 网络地址或本地路径", "features"),
    ("set-storage", "my.setStorage", "把数据存到本地缓存", "缓存", "单条数据不超过 200KB，总共不超过 10MB", "features"),
    ("get-storage", "my.getStorage", "读取本地缓存", "缓存数据", "缓存按用户和小程序隔离", "features"),
    ("navigate-to", "my.navigateTo", "跳转到应用内的页面", "页面跳转", "页面栈最多十层", "features"),
    ("redirect-to", "my.redirectTo", "关闭当前页面后跳转", "页面重定向", "不能跳转到 tabBar 页面", "features"),
    ("show-toast", "my.showToast", "显示一个弱提示", "提示框", "content 最多显示 14 个汉字", "features"),
    ("scan", "my.scan", "调起扫一扫", "扫码", "扫码结果在 success 回调的 code 字段", "features"),
    ("system-info", "my.getSystemInfo", "获取手机系统信息", "系统信息", "同步版本为 my.getSystemInfoSync", "features"),
    ("network-type", "my.getNetworkType", "获取当前网络状态", "网络类型", "返回值 networkType 可能为 WIFI、4G、NOTREACHABLE", "features"),
    ("network-change", "my.onNetworkStatusChange", "监听网络状态变化", "网络状态", "需要在页面卸载时调用 my.offNetworkStatusChange", "features"),
    ("phone-number", "my.getPhoneNumber", "获取用户绑定的手机号", "手机号", "返回的 response 需要服务端解密", "request-errors"),
    ("open-user-info", "my.getOpenUserInfo", "获取用户头像和昵称", "用户信息", "需要用户点击按钮授权", "request-errors"),
    ("web-view", "web-view 组件", "在小程序里内嵌 H5 网页", "内嵌网页", "内嵌网页的域名需要配置业务域名", "features"),
    ("bluetooth", "my.openBluetoothAdapter", "初始化蓝牙模块", "蓝牙", "iOS 需要用户打开系统蓝牙开关", "features"),
    ("choose-video", "my.chooseVideo", "拍摄视频或从相册选择视频", "视频", "视频时长最多 60 秒", "features"),
    ("save-file", "my.saveFile", "把临时文件保存到本地", "本地文件", "本地文件总大小不超过 10MB", "features"),
    ("canvas", "my.createCanvasContext", "创建画布绘图上下文", "画布", "绘制后需要调用 draw 才会显示", "features"),
    ("clipboard", "my.getClipboard", "读取剪贴板内容", "剪贴板", "读取剪贴板需要用户同意", "features"),
    ("make-call", "my.makePhoneCall", "拨打电话", "电话", "号码需要是纯数字字符串", "features"),
    ("report-analytics", "my.reportAnalytics", "上报自定义分析数据", "数据上报", "事件需先在开放平台创建", "features"),
    ("account-info", "my.getAccountInfoSync", "获取小程序帐号信息", "帐号信息", "可以拿到小程序的 APPID 和版本", "features"),
    ("load-font", "my.loadFontFace", "动态加载网络字体", "字体", "字体文件地址必须是 HTTPS", "features"),
    ("open-document", "my.openDocument", "预览 PDF 文档", "文档", "只支持 PDF 格式", "features"),
    ("compress-image", "my.compressImage", "压缩图片", "图片压缩", "compressLevel 取值 0 到 4", "features"),
    ("server-time", "my.getServerTime", "获取服务器当前时间", "服务器时间", "返回的是毫秒时间戳", "request-errors"),
    ("rsa", "my.rsa", "进行 RSA 加密和解密", "加密", "密钥需要去掉头尾和换行", "request-errors"),
    ("cloud-function", "云函数 callFunction", "调用云开发的云函数", "云函数", "单次调用最长运行 60 秒", "request-errors"),
    ("cloud-db", "云数据库", "读写云开发数据库", "数据库", "单次查询最多返回 100 条", "request-errors"),
    ("subscribe-message", "my.requestSubscribeMessage", "请求用户订阅消息", "订阅消息", "模板 ID 需要在开放平台申请", "request-errors"),
    ("share", "onShareAppMessage", "自定义分享内容", "分享", "分享图片地址必须是 HTTPS", "features"),
    ("pull-refresh", "onPullDownRefresh", "监听下拉刷新", "下拉刷新", "需要在页面配置里开启 pullRefresh", "features"),
    ("tabbar", "my.setTabBarItem", "动态设置 tabBar 某一项", "tabBar", "图标必须是本地路径", "features"),
    ("keyboard", "my.hideKeyboard", "收起键盘", "键盘", "只对当前聚焦的输入框有效", "features"),
    ("nfc", "my.startNfc", "开始 NFC 读写", "NFC", "只有部分安卓手机支持", "features"),
]

# Error codes the platform shares between APIs: some are the seed's own (2, 12, 14, 19), on
# purpose.
CODES = [
    (2, "参数错误", "入参类型和必填项"),
    (3, "未知错误", "基础库版本和调用时机"),
    (4, "无权调用该接口", "开放平台里是否已添加该能力"),
    (11, "文件不存在", "文件路径是否以 https:// 或 ttfile:// 开头"),
    (12, "网络错误", "手机网络和代理设置"),
    (13, "没有权限", "用户是否拒绝过授权"),
    (14, "解析数据失败", "服务端返回的数据格式"),
    (15, "超出大小限制", "文件或数据的大小"),
    (19, "HTTP 错误", "服务端返回的状态码"),
    (20, "请求已被停止", "是否在请求完成前关闭了页面"),
    (1001, "用户取消", "用户是否在弹窗里点了取消"),
    (2001, "系统繁忙", "稍后重试"),
]

def problems(t):
    """Every question a topic can have: (suffix, title, tags, body)."""
    slug, api, does, thing, fact, _ = t
    out = []
    i = TOPICS.index(t)
    c1 = CODES[i % len(CODES)]
    c2 = CODES[(i * 5 + 3) % len(CODES)]
    for code, meaning, check in (c1, c2):
        out.append((
            f"error-{code}",
            f"{api} 报错 \"error\":{code}，如何处理?",
            [api, f"error {code}", meaning],
            f"这个错误码表示{meaning}。请检查{check}，确认后重新调用。"
            f"如果问题仍然存在，请在调试器的 Console 中查看完整的 errorMessage，并附上复现步骤反馈。",
        ))
    out.append((
        "whitelist",
        f"{api} 需要配置服务器域名白名单吗？",
        [api, "白名单", "域名"],
        (f"需要。{api} 访问的网络地址必须在小程序管理中心的开发设置里添加到服务器域名白名单，"
         f"否则真机上会失败。白名单修改后需要重新上传版本，体验版才会使用新的配置。")
        if "地址" in fact or "HTTPS" in fact or "服务" in does or "网" in does
        else (f"不需要。{api} 只在本地{does}，不会发起网络请求，因此不用配置服务器域名白名单。"
              f"如果{thing}需要从网络获取，请先用 my.request 或 my.downloadFile 下载。"),
    ))
    out.append((
        "timeout",
        f"{api} 调用一直没有返回，会超时吗？",
        [api, "超时", "timeout"],
        f"{api} 本身没有 timeout 参数。调用后既不进 success 也不进 fail，通常是因为{fact}。"
        f"建议在 complete 回调中收尾，并在页面上给用户一个加载中的提示，避免一直等待。",
    ))
    out.append((
        "ide-device",
        f"{api} 在 IDE 中正常，真机上却失败？",
        [api, "IDE", "真机"],
        f"IDE 的模拟器不能完全模拟{thing}相关的能力。请用真机调试或真机预览验证 {api}，"
        f"并确认支付宝客户端和基础库版本满足要求：{fact}。",
    ))
    out.append((
        "sync",
        f"{api} 可以同步执行吗？",
        [api, "同步", "异步"],
        f"{api} 是异步接口，结果在 success 回调中返回，不能同步执行。可以把它封装成 Promise 后用 await 等待，"
        f"但 await 不会阻塞页面渲染。",
    ))
    out.append((
        "params",
        f"{api} 传入的参数不生效？",
        [api, "参数", "不生效"],
        f"请确认参数名的大小写与文档一致，并且{fact}。{api} 会忽略无法识别的参数，不会报错，"
        f"可以在调用前打印参数检查。",
    ))
    out.append((
        "garbled",
        f"{api} 返回的中文出现乱码？",
        [api, "乱码", "编码"],
        f"{api} 返回的内容按 UTF-8 解码。如果{thing}里的中文是 GBK 等其他编码，就会出现乱码，"
        f"请把数据源统一成 UTF-8，或在服务端转换编码后再返回。",
    ))
    return out

def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    n = 0
    for t in TOPICS:
        slug, api, does, thing, fact, category = t
        chosen = problems(t)
        i = TOPICS.index(t)
        # Each topic keeps five of its eight questions, a different five by topic.
        keep = [chosen[(i + k) % len(chosen)] for k in range(5)]
        for suffix, title, tags, body in keep:
            entry_id = f"nb-{slug}-{suffix}"
            tag_list = ", ".join(f'"{x}"' for x in tags)
            text = (
                "+++\n"
                f"title = {toml_string(title)}\n"
                f'category = "{category}"\n'
                f"tags = [{tag_list}]\n"
                "+++\n"
                f"{body}\n"
            )
            with open(os.path.join(OUT, entry_id + ".md"), "w", encoding="utf-8") as f:
                f.write(text)
            n += 1
    print(f"wrote {n} entries to {os.path.normpath(OUT)}")

def toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

if __name__ == "__main__":
    main()
